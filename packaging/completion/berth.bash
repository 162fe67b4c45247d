# bash completion for berth(1). The candidates come from `berth __complete CWORD WORDS...`, which reads the
# command line's own definition, so new commands and options complete without changing this file.
# Installed as /usr/share/bash-completion/completions/berth (loaded on first use by bash-completion).

_berth() {
    local cur words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        # Keep --opt=value and NAME:x in one word.
        _init_completion -n =: || return
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
    fi

    local line files=
    COMPREPLY=()
    while IFS= read -r line; do
        case $line in
            :file) files=file ;;
            :dir) files=dir ;;
            *) COMPREPLY+=("$line") ;;
        esac
    done < <("${words[0]}" __complete "$cword" "${words[@]}" 2>/dev/null)

    if [[ -n $files ]]; then
        local IFS=$'\n'
        if [[ $files == dir ]]; then
            COMPREPLY+=($(compgen -d -- "$cur"))
        else
            COMPREPLY+=($(compgen -f -- "$cur"))
        fi
        compopt -o filenames 2>/dev/null
    fi
    if declare -F __ltrim_colon_completions >/dev/null 2>&1; then
        __ltrim_colon_completions "$cur"
    fi
}

complete -F _berth berth
