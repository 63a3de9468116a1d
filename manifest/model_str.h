/*
 * model_str.h -- the model's string sharing (model_str.c) as
 * manifest_train_new() and _free() set it up and tear it down.  Internal
 * to manifest/model*.c.
 */
#ifndef MANIFEST_MODEL_STR_H
#define MANIFEST_MODEL_STR_H

#include "model.h"

/* Gives t (its arena set) an empty set of shared strings. */
void model_str_init(struct manifest_train *t);
/* Frees t's set of shared strings; the strings stay in the arena. */
void model_str_clear(struct manifest_train *t);

#endif
