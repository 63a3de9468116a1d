#!/bin/sh
# Every document stays inside the repository (issue 21, item 8):
#  - each relative link of a Markdown file outside build trees resolves
#    to a file or directory of the repository, and its #anchor, when it
#    has one, to a heading of the Markdown file it names (headings made
#    into anchors as GitHub does: lower case, punctuation dropped, blanks
#    to hyphens, -1, -2 ... for repeats); a link with a scheme (https:,
#    mailto:) is refused: the documents describe what they rely on;
#  - each docs/NAME mention and each "$ref" to another file in the OpenAPI
#    document names a file of the repository (its local "#/..." references
#    are the unit test openapi's);
#  - nothing in the documents, the OpenAPI document, the manual pages or
#    etc/ points at the contracts' folder outside the repository
#    (../shared, spec/): docs/contracts.md describes them.
# Links inside fenced code blocks and `code spans` are not links.
# $mdfiles is a list of words on purpose (the repository's paths have no
# blanks), and the lists read below are of such words too.
# shellcheck disable=SC2086,SC2013,SC2016,SC2046
set -eu
cd "$(dirname "$0")/.."

status=0
mdfiles=$(find . -name '*.md' ! -path './build*' ! -path './var/*' \
    ! -path './.git/*' ! -path '*/node_modules/*' | sed 's|^\./||' | sort)

# The anchors of a Markdown file, one a line.
anchors() {
	awk '
	/^(```|~~~)/ { fence = !fence; next }
	fence || !/^#+[ \t]/ { next }
	{
		h = $0
		sub(/^#+[ \t]+/, "", h)
		sub(/[ \t]+#*[ \t]*$/, "", h)
		h = tolower(h)
		gsub(/[^a-z0-9 _\200-\377-]/, "", h)
		gsub(/ /, "-", h)
		if (seen[h]++)
			h = h "-" (seen[h] - 1)
		print h
	}' "$1"
}

# The links of a Markdown file: "line<TAB>target", outside code.
links() {
	awk '
	/^[ \t]*(```|~~~)/ { fence = !fence; next }
	fence { next }
	{
		s = $0
		gsub(/`[^`]*`/, "", s)
		while (match(s, /\]\([^) \t]+/)) {
			print NR "\t" substr(s, RSTART + 2, RLENGTH - 2)
			s = substr(s, RSTART + RLENGTH)
		}
	}' "$1"
}

nlinks=0
for f in $mdfiles; do
	dir=$(dirname "$f")
	tab=$(printf '\t')
	while IFS="$tab" read -r line target; do
		nlinks=$((nlinks + 1))
		case $target in
		*:*)
			case ${target%%#*} in
			*:*)
				echo "$f:$line: $target: a link out of the repository"
				status=1
				continue ;;
			esac ;;
		esac
		path=${target%%#*}
		anchor=
		case $target in *'#'*) anchor=${target#*#} ;; esac
		if [ -z "$path" ]; then
			file=$f
		else
			file=$dir/$path
		fi
		if [ ! -e "$file" ]; then
			echo "$f:$line: $target: no such file ($file)"
			status=1
			continue
		fi
		case $file in
		*.md)
			if [ -n "$anchor" ] &&
			    ! anchors "$file" | grep -qxF -- "$anchor"; then
				echo "$f:$line: $target: no heading #$anchor in $file"
				status=1
			fi ;;
		esac
	done <<EOF
$(links "$f")
EOF
done

# docs/NAME mentioned anywhere in the documents or the OpenAPI document.
for name in $(grep -ohE '(^|[^A-Za-z0-9_./-])docs/[A-Za-z0-9_./-]*[A-Za-z0-9]' \
    $mdfiles daemon/api/openapi.json | sed 's|^[^d]*||' | sort -u); do
	if [ ! -e "$name" ]; then
		echo "$name: mentioned in $(grep -lF "$name" $mdfiles \
		    daemon/api/openapi.json | tr '\n' ' ')but not in the repository"
		status=1
	fi
done

# "$ref" to another file (none today: the document is one file).
for ref in $(grep -oE '"\$ref": *"[^"#][^"]*"' daemon/api/openapi.json |
    sed 's/.*"\([^"]*\)"$/\1/' | sort -u); do
	[ -e "daemon/api/${ref%%#*}" ] || {
		echo "daemon/api/openapi.json: \$ref $ref: no such file"
		status=1
	}
done

# The contracts' folder is outside the repository.
if grep -nE '\.\./shared|(^|[^A-Za-z0-9_])spec/' $mdfiles \
    daemon/api/openapi.json docs/man/* $(find etc -type f | sort); then
	echo "the lines above point outside the repository (../shared, spec/):" \
	    "describe the contract in docs/contracts.md and link there"
	status=1
fi

[ $status -eq 0 ] && echo "links: $nlinks links in $(echo "$mdfiles" |
    wc -l) Markdown files, all inside the repository"
exit $status
