#!/usr/bin/env bash
# make install DESTDIR=...: a stripped binary, three man pages and the bash completion,
# and the completion answering from the installed binary; ddr --version names the build;
# ddr devices lists the names the completion offers.
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
. "$here/lib.sh"

dest=$PWD/dest
if make -s -C "$root" install DESTDIR="$dest" PREFIX=/usr BIN="$DDR" BUILD="$BUILD" > make.log 2>&1; then
  ok "make install DESTDIR=$dest"
else
  bad "make install failed: $(tail -3 make.log)"
fi
for f in usr/bin/ddr usr/share/man/man1/ddr.1 usr/share/man/man5/ddrtape.5 usr/share/man/man5/ddrimage.5 \
         usr/share/bash-completion/completions/ddr; do
  [ -s "$dest/$f" ] && ok "installed $f" || bad "$f not installed"
done
[ -x "$dest/usr/bin/ddr" ] && ok "the binary is executable" || bad "the binary is not executable"
if readelf -S "$dest/usr/bin/ddr" | grep -q '\.symtab'; then bad "the installed binary is not stripped"
else ok "the installed binary is stripped (no .symtab)"; fi
readelf -S "$DDR" | grep -q '\.symtab' && ok "  (the built one has its symbols)" || bad "the built binary has no symbols to strip"

version=$("$dest/usr/bin/ddr" --version)
[ "$version" = "$("$DDR" --version)" ] && ok "installed --version equals the built one's" || bad "--version differs"
case "$version" in
  "ddr "[0-9]*.[0-9]*$'\n'"built with "*", xxHash "*", zlib "*", bzip2 "*) ok "--version: $(echo "$version" | tr '\n' '|')";;
  *) bad "--version says: $version";;
esac
if readelf -l "$DDR" | grep -q INTERP; then want=dynamic; else want=static; fi
case "$version" in *", $want, "*) ok "--version says $want, as readelf finds";; *) bad "--version does not say $want";; esac

# ddr devices: every name it offers is one ddr accepts (a volume type for init, a cartridge for --reel-size).
"$DDR" devices --names > names.txt
for n in 3390-3 3380-K 9336 FB-512 3592-E08-JC 3420-6250; do
  grep -qx -- "$n" names.txt && ok "devices --names offers $n" || bad "devices --names lacks $n"
done
"$DDR" devices > devices.txt && grep -q '^3390-3 .* 3339 ' devices.txt && ok "devices lists the 3390-3 with 3339 cylinders" \
  || bad "devices listing: $(grep 3390-3 devices.txt)"
for n in $(grep -E "^(33|93|FB)" names.txt | grep -vx "3390-A" | head -40); do  # a 3390-A needs 65,521 cylinders or more
  "$DDR" -q init "c-$n.img" "$n" TEST01 --cylinders 1 2> init.err && continue
  "$DDR" -q init "f-$n.img" "$n" TEST01 --blocks 64 2>> init.err && continue
  bad "init does not take $n, which devices offers: $(cat init.err)"
done
ok "init takes the volume types devices --names offers"

# The completion, run from the installed script against the installed binary.
cat > comp.sh <<EOS
PATH="$dest/usr/bin:\$PATH"
. "$dest/usr/share/bash-completion/completions/ddr"
c() { COMP_WORDS=("\$@"); COMP_CWORD=\$(( \${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); _ddr; echo "\${COMPREPLY[*]}"; }
echo "1:\$(c ddr ve)"
echo "2:\$(c ddr dump --dev)"
echo "3:\$(c ddr dump x --devtype 3390-)"
echo "4:\$(c ddr init v.img 338)"
echo "5:\$(c ddr -q restore --vol)"
echo "6:\$(c ddr dump --reel-size 3592-E08-J)"
EOS
bash comp.sh > comp.out 2>&1
want() { grep -qx -- "$1" comp.out && ok "completion $1" || bad "completion: wanted '$1', got: $(grep "^${1%%:*}:" comp.out)"; }
want "1:verify"
want "2:--devtype"
want "3:3390-1 3390-2 3390-3 3390-9 3390-27 3390-J 3390-54 3390-JJ 3390-A"
grep -q '^4:.*3380-K' comp.out && ok "completion: init's device type" || bad "completion 4: $(grep ^4: comp.out)"
want "5:--volser"
want "6:3592-E08-JC 3592-E08-JK 3592-E08-JD 3592-E08-JL"
finish
