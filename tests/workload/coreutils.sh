#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The shell side of the "no false positives" workload: the commands a user
# runs in a container's shell, as busybox provides them, for the VM suites to
# run in a confined container. Works in a fresh directory under /tmp only.
# Prints "coreutils ok", or names the step that failed on stderr and exits 1.
set -e

dir=
step=mktemp

cleanup() {
	status=$?
	[ -z "$dir" ] || rm -rf "$dir"
	[ "$status" -eq 0 ] || echo "coreutils: $step failed" >&2
}
trap cleanup EXIT
# A signal runs the EXIT trap only through an exit.
trap 'exit 1' HUP INT TERM

# expect WHAT EXPECTED ACTUAL
expect() {
	if [ "$2" != "$3" ]; then
		echo "coreutils: $1: expected '$2', got '$3'" >&2
		exit 1
	fi
}

nl='
'

dir=$(mktemp -d /tmp/coreutils.XXXXXX)
cd "$dir"

step='files: mkdir touch cat cp mv ls rm rmdir'
mkdir -p a/b
touch a/b/empty
printf 'one\ntwo\nthree\n' >a/lines
expect cat "one${nl}two${nl}three" "$(cat a/lines)"
cp a/lines a/copy
mv a/copy a/moved
expect ls "b${nl}lines${nl}moved" "$(ls a)"
rm a/moved a/b/empty
rmdir a/b
expect 'ls after rm' lines "$(ls a)"

step='links and modes: ln -s chmod'
ln -s lines a/link
expect 'cat through a symlink' one "$(head -n 1 a/link)"
chmod 600 a/lines
case $(ls -l a/lines) in
-rw-------*) ;;
*) expect 'ls -l after chmod 600' '-rw-------' "$(ls -l a/lines)" ;;
esac
chmod u+x a/lines
[ -x a/lines ] || expect 'chmod u+x' executable 'not executable'

step='find'
expect find ./a/lines "$(find . -name lines -type f)"
expect 'find -type l' ./a/link "$(find . -type l)"

step='text: grep sed awk sort uniq wc head tail'
expect 'grep -c' 1 "$(grep -c two a/lines)"
expect sed "one${nl}2${nl}three" "$(sed 's/two/2/' a/lines)"
expect awk 11 "$(awk '{ n += length($0) } END { print n }' a/lines)"
printf 'b\na\nb\nc\na\n' >a/letters
expect 'sort | uniq' "a${nl}b${nl}c" "$(sort a/letters | uniq)"
expect 'sort | uniq -d' "a${nl}b" "$(sort a/letters | uniq -d)"
expect 'wc -l' 5 "$(($(wc -l <a/letters)))"
expect head a "$(head -n 2 a/letters | tail -n 1)"
expect tail "c${nl}a" "$(tail -n 2 a/letters)"

step='archives: tar gzip gunzip'
tar -cf a.tar a
gzip a.tar
if [ ! -f a.tar.gz ] || [ -e a.tar ]; then
	expect gzip 'a.tar.gz in place of a.tar' "$(ls a.tar*)"
fi
gunzip a.tar.gz
mkdir out
tar -xf a.tar -C out
expect 'tar -x' "$(cat a/lines)" "$(cat out/a/lines)"
expect 'tar -x symlink' one "$(head -n 1 out/a/link)"
gzip -c a/letters | gunzip -c >letters.copy
expect 'gzip -c | gunzip -c' "$(cat a/letters)" "$(cat letters.copy)"

step='system: date id uname ps env'
case $(date +%s) in
'' | *[!0-9]*) expect 'date +%s' seconds "$(date +%s)" ;;
esac
case $(id -u) in
'' | *[!0-9]*) expect 'id -u' 'a number' "$(id -u)" ;;
esac
case $(id) in
uid=*) ;;
*) expect id 'uid=...' "$(id)" ;;
esac
expect 'uname -s' Linux "$(uname -s)"
# busybox ps reads /proc: this shell must be in it.
ps -o pid | awk -v pid=$$ '$1 == pid { found = 1 } END { exit !found }'
expect env 'COREUTILS_CHECK=yes' "$(COREUTILS_CHECK=yes env | grep '^COREUTILS_CHECK=')"

step='sleep 0.1'
sleep 0.1

step='subshell pipeline'
result=$( (cat a/lines; echo four) | grep -v two | sort -r | head -n 2)
expect 'subshell pipeline' "three${nl}one" "$result"

step=cleanup
cd /
rm -rf "$dir"
dir=
echo 'coreutils ok'
