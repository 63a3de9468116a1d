/*
 * catalogue-ru.js -- the console's own text in Russian: English text
 * (the key, as RG.t gets it) -> Russian.  A string missing here shows in
 * English; scripts/console-strings.sh lists what is missing
 * (docs/console.md "Languages").  Keep every {placeholder}.
 */
"use strict";

RG.addCatalogue("ru", {
	"railgate officer console": "railgate: пульт таможенного инспектора",
	"officer console": "пульт инспектора",
	"Language": "Язык",
	"Log in": "Войти",
	"Log out": "Выйти",
	"Logged out.": "Вы вышли из системы.",
	"logged in": "вход выполнен",
	"Bearer token": "Токен доступа",
	"The token stays in this browser tab only (sessionStorage) and goes with every API call.":
	    "Токен хранится только в этой вкладке браузера (sessionStorage) и передаётся с каждым вызовом API.",
	"The token was refused (401): log in again.": "Токен отклонён (401): войдите снова.",
	"{method} {path}: {status}": "{method} {path}: {status}",
	"{error} (retrying)": "{error} (повторная попытка)",

	"Trains": "Поезда",
	"Train": "Поезд",
	"Route": "Маршрут",
	"Dir.": "Напр.",
	"ETA": "Прибытие",
	"Wagons": "Вагоны",
	"Containers": "Контейнеры",
	"Items": "Товары",
	"State": "Состояние",
	"Decision": "Решение",
	"Clearance clock": "Срок оформления",
	"No trains.": "Поездов нет.",
	"updated {time}": "обновлено в {time}",
	"update failed": "обновить не удалось",
	"run {run}": "рейс {run}",
	"green lane": "зелёный коридор",
	"train {train}": "поезд {train}",

	"not started (target {target})": "не начат (норматив {target})",
	"done in {time}": "оформлен за {time}",
	"{time} left": "осталось {time}",
	"{time} over target": "просрочено на {time}",

	"RELEASE": "ВЫПУСК",
	"AUDIT": "ВЫБОРОЧНАЯ ПРОВЕРКА",
	"DOC_CHECK": "ПРОВЕРКА ДОКУМЕНТОВ",
	"INSPECT": "ДОСМОТР",
	"HOLD": "ЗАДЕРЖАНИЕ",
	"REFUSE": "ОТКАЗ",
	"PARTIAL_RELEASE": "ЧАСТИЧНЫЙ ВЫПУСК",
	"{decision} (final)": "{decision} (окончательное)",
	"{decision} (provisional)": "{decision} (предварительное)",
	"none": "нет",

	"import": "импорт",
	"export": "экспорт",
	"transit": "транзит",

	"announced": "заявлен",
	"received": "получен",
	"evaluated": "оценён",
	"approaching": "на подходе",
	"arrived": "прибыл",
	"released": "выпущен",
	"partially released": "выпущен частично",
	"held": "задержан",
	"cancelled": "отменён",

	"Print": "Печать",
	"Set-out list \u2014 train {train} run {run}": "Список отцепки \u2014 поезд {train}, рейс {run}",
	"{route} at {station}; decision {decision}; printed {time}":
	    "{route}, станция {station}; решение: {decision}; напечатано {time}",
	"No wagon is set out: the whole train goes.": "Отцепленных вагонов нет: поезд следует целиком.",
	"Position": "Позиция",
	"Wagon": "Вагон",
	"Action": "Мера",
	"Reasons": "Причины",
	"officer: {resolution}": "инспектор: {resolution}",
	"Shunting crew: {line}   Officer: {line}": "Маневровая бригада: {line}   Инспектор: {line}",

	/* train.js, wagon.js, hits.js, trainhits.js: ready for when their
	 * owners wrap these strings in RG.t. */
	"Approve train": "Утвердить решение по поезду",
	"Approved": "Утверждено",
	"Actions": "Действия",
	"Direction": "Направление",
	"ETA / arrived": "Ожидается / прибыл",
	"Wagons / containers / items": "Вагоны / контейнеры / товары",
	"Resolve wagon": "Принять решение по вагону",
	"Resolve: ": "Решение: ",
	"No hits on this wagon.": "По этому вагону срабатываний нет.",
	"Click a wagon to see its hits and resolve it.": "Нажмите на вагон, чтобы увидеть срабатывания и принять решение.",
	"rule": "правило",
	"subject": "объект",
	"would pass if": "пройдёт, если",
	"rule text": "текст правила",
	"Train-level hits": "Срабатывания по поезду",
	"not decided yet": "решения ещё нет",
	"refused": "отклонено",
	"sending\u2026": "отправка\u2026",
	"a reason is required": "нужно указать причину",
	"reason (optional)": "причина (необязательно)",
	"reason (the auditor reads it)": "причина (её прочтёт аудитор)",
	"locomotive": "локомотив",
	"Manifest corrected": "Манифест исправлен",
	"Goods located on wagon": "Товар найден в вагоне",
	"Decision approved: final.": "Решение утверждено: окончательное.",
	"None yet: notices go out when the decision is final.": "Пока нет: уведомления уходят, когда решение становится окончательным.",
	"Set-out list for the shunting crew (printable)": "Список отцепки для маневровой бригады (для печати)",
	"all trains": "все поезда"
});
