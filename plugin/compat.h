/* compat.h - the differences between the Wireshark versions we build for.
 *
 * Everything that differs between Wireshark 4.0 (Debian 12) and 4.2/4.4
 * (Debian 13) is absorbed here, so the rest of the plugin reads the same
 * for both.
 */
#ifndef MWG502_COMPAT_H
#define MWG502_COMPAT_H

#include <ws_version.h>

#define MWG_WS_AT_LEAST(maj, min) \
    (WIRESHARK_VERSION_MAJOR > (maj) || (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

/* 4.4 asks a plugin what it provides; older versions do not. */
#if MWG_WS_AT_LEAST(4, 4)
#include <wsutil/plugins.h>
#define MWG_HAVE_PLUGIN_DESCRIBE 1
#endif

#endif
