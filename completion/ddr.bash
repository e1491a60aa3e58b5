# bash completion for ddr.  Installed by `make install` as
# $(PREFIX)/share/bash-completion/completions/ddr.
#
# The commands and options are read from ddr's own --help at completion time, so this
# script never falls behind the program; device type and cartridge names come from
# `ddr devices --names`.

_ddr_help_words()
{
    # Every "-x" / "--long" word at the start of an option line of `ddr ARGS --help`.
    "$1" "${@:2}" --help 2>/dev/null |
        sed -n 's/^  \(-[^ ]*\).*/\1/p' | tr ',' '\n' | sed -n 's/^\(--*[A-Za-z0-9][-A-Za-z0-9]*\).*/\1/p'
}

_ddr_commands()
{
    "$1" --help 2>/dev/null | sed -n '/^Subcommands:/,/^$/s/^  \([a-z][-a-z]*\) .*/\1/p'  | tr "\n" " "
}

_ddr()
{
    local cur prev ddr=${COMP_WORDS[0]} cmd="" i
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    local commands
    commands=$(_ddr_commands "$ddr")
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ " $commands " == *" ${COMP_WORDS[i]} "* ]]; then
            cmd=${COMP_WORDS[i]}
            break
        fi
    done

    case $prev in
    --devtype | --reel-size)
        COMPREPLY=($(compgen -W "$("$ddr" devices --names 2>/dev/null)" -- "$cur"))
        return
        ;;
    --format)
        COMPREPLY=($(compgen -W "aws het ckd cckd cckd64 fba cfba" -- "$cur"))
        return
        ;;
    esac
    if [[ $cmd == init && $cur != -* ]]; then
        # ddr init TARGET DEVTYPE VOLSER: the second word after init is a device type.
        local words=0
        for ((i = i + 1; i < COMP_CWORD; i++)); do
            [[ ${COMP_WORDS[i]} != -* ]] && ((words++))
        done
        if ((words == 1)); then
            COMPREPLY=($(compgen -W "$("$ddr" devices --names 2>/dev/null)" -- "$cur"))
            return
        fi
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_ddr_help_words "$ddr" $cmd)" -- "$cur"))
        return
    fi
    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}

complete -o filenames -F _ddr ddr
