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
