# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced.  mwg502_plugin_folder PLUGIN DIR: lays out DIR/plugins as a
# Wireshark plugin folder holding copies of every global plugin but mwg502,
# plus PLUGIN, for WIRESHARK_PLUGIN_DIR=DIR/plugins (which replaces the
# global folder, and which Wireshark reads only when not run as root).
# Sets MWG502_GLOBAL_PLUGINS (the global folder of this major.minor) and
# MWG502_LOCAL_PLUGINS (its stand-in under DIR).
mwg502_plugin_folder() {
    local plugin=$1 dir=$2 global version dest kind so
    global=$(tshark -G folders 2>/dev/null | awk -F'\t' '/^Global Plugins:/ {print $2}' | sed 's/[[:space:]]*$//')
    [ -d "$global" ] || { echo "cannot find tshark's global plugin folder" >&2; return 2; }
    version=$(basename "$global")
    dest="$dir/plugins/$version"
    for kind in "$global"/*/; do
        kind=$(basename "$kind")
        mkdir -p "$dest/$kind"
        for so in "$global/$kind"/*.so; do
            [ -e "$so" ] || continue
            [ "$(basename "$so")" = mwg502.so ] && continue
            cp "$so" "$dest/$kind/"   # copies: the folder may stand in for the global one
        done
    done
    mkdir -p "$dest/epan"
    cp "$plugin" "$dest/epan/mwg502.so"
    chmod -R a+rX "$dir/plugins"
    MWG502_GLOBAL_PLUGINS=$global
    MWG502_LOCAL_PLUGINS=$dest
}

# mwg502_plugin_folder_kept PLUGIN KEEP: the same folder, kept under KEEP
# (one per path of PLUGIN, so that a test giving another plugin leaves the
# others' alone) and laid out again only when PLUGIN or tshark changed.  A
# test suite starts tshark hundreds of times with one plugin, and laying the
# folder out (one more tshark start, megabytes copied) costs more than
# reading a small capture.  A lock beside it: parallel tests find it whole
# or lay it out once.
mwg502_plugin_folder_kept() {
    local plugin=$1 dir key lock global status=0
    dir="$2/$(readlink -f "$plugin" | md5sum | cut -c1-16)"
    mkdir -p "$2" || return 2
    key=$(stat -L -c '%i %Z' "$(command -v tshark)") || return 2
    exec {lock}>"$dir.lock"
    flock "$lock"
    global=$(cat "$dir/global" 2>/dev/null) || global=
    if [ "$(cat "$dir/key" 2>/dev/null)" = "$key" ] && [ -d "$global" ] &&
        cmp -s "$plugin" "$dir/plugins/${global##*/}/epan/mwg502.so"; then
        MWG502_GLOBAL_PLUGINS=$global
        MWG502_LOCAL_PLUGINS="$dir/plugins/${global##*/}"
    else
        rm -rf "$dir" && mkdir -p "$dir" && chmod 755 "$dir" &&
            mwg502_plugin_folder "$plugin" "$dir" &&
            echo "$MWG502_GLOBAL_PLUGINS" >"$dir/global" && echo "$key" >"$dir/key" || status=2
    fi
    exec {lock}>&-
    return "$status"
}
