# SPDX-License-Identifier: MIT
# bash completion for dhtui: commands, the options each command accepts, and
# the fixed values of --auth and --format. Installed as
# share/bash-completion/completions/dhtui.

_dhtui()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local commands="ls publish fetch check rows stats"
    local connection="--host --port --tls --ca --cert --key --auth --auth-value
        --auth-value-command --profile --connect-timeout --timeout --demo --demo-rows --help
        --version"

    case $prev in
    --ca | --cert | --key | --log)
        COMPREPLY=($(compgen -f -- "$cur"))
        return
        ;;
    --auth)
        COMPREPLY=($(compgen -W "Anonymous Basic psk" -- "$cur"))
        return
        ;;
    --format)
        COMPREPLY=($(compgen -W "table csv tsv json jsonl arrow" -- "$cur"))
        return
        ;;
    --tz)
        COMPREPLY=($(compgen -W "UTC local" -- "$cur"))
        return
        ;;
    --theme)
        COMPREPLY=($(compgen -W "dark light mono" -- "$cur"))
        return
        ;;
    --profile)
        local config=${XDG_CONFIG_HOME:-$HOME/.config}/dhtui/config
        COMPREPLY=($(compgen -W "$(sed -n 's/^[[:space:]]*\[profile \([^] ]*\)\].*/\1/p' \
            "$config" 2>/dev/null)" -- "$cur"))
        return
        ;;
    --auth-value-command)
        COMPREPLY=($(compgen -c -- "$cur"))
        return
        ;;
    --host | --port | --auth-value | --connect-timeout | --timeout | --demo-rows | \
        --exit-after | --probe-interval | --offset | --limit | --columns | --null | --where | --sort | \
        --column)
        return
        ;;
    esac

    # The command is the first word that is neither an option nor its value.
    local i command=""
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --host | --port | --ca | --cert | --key | --auth | --auth-value | --auth-value-command | \
            --connect-timeout | --timeout | --demo-rows | --log | --exit-after | \
            --probe-interval | --offset | --limit | --columns | --format | --null | --tz | \
            --where | --sort | --profile | --theme | --column)
            ((i++))
            ;;
        -*) ;;
        *)
            command=${words[i]}
            break
            ;;
        esac
    done

    local options
    case $command in
    ls | fetch | check) options="$connection --json" ;;
    publish) options="$connection --json --where --sort" ;;
    stats) options="$connection --column --where --json" ;;
    rows) options="$connection --offset --limit --columns --format --null --escape --raw --tz --where --sort" ;;
    *) options="$connection --no-osc52 --log --exit-after --probe-interval --tz --theme --no-mouse" ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    elif [[ -z $command ]]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    fi
}
complete -F _dhtui dhtui
