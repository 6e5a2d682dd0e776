/* compat.h - the differences between the Wireshark versions we build for.
 *
 * Everything that differs between Wireshark 4.0 (Debian 12) and 4.2/4.4
 * (Debian 13) is absorbed here, so the rest of the plugin reads the same
 * for both.
 */
#ifndef MWG502_COMPAT_H
#define MWG502_COMPAT_H

#include <ws_version.h>
#include <epan/proto.h>
#include <epan/ftypes/ftypes.h>

#define MWG_WS_AT_LEAST(maj, min) \
    (WIRESHARK_VERSION_MAJOR > (maj) || (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

/* field_info.value became a pointer in 4.2. */
#if MWG_WS_AT_LEAST(4, 2)
#define MWG_FI_VALUE(fi) ((fi)->value)
#else
#define MWG_FI_VALUE(fi) (&(fi)->value)
#endif

/* 4.4 renamed the guint tvb getters and deprecated the old names. */
#if !MWG_WS_AT_LEAST(4, 4)
#define tvb_get_uint8 tvb_get_guint8
#endif

/* 4.4 asks a plugin what it provides; older versions do not. */
#if MWG_WS_AT_LEAST(4, 4)
#include <wsutil/plugins.h>
#define MWG_HAVE_PLUGIN_DESCRIBE 1
#endif

static inline guint32 mwg_fi_uint(field_info *fi)
{
    return fvalue_get_uinteger(MWG_FI_VALUE(fi));
}

static inline const char *mwg_fi_string(field_info *fi)
{
    return fvalue_get_string(MWG_FI_VALUE(fi));
}

#endif
