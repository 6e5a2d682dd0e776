/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compat.h - the differences between the Wireshark versions mwg502 builds
 * for: 4.0 (Debian 12), 4.4 (Debian 13) and 4.6 (Debian forky).  The rest
 * of the plugin reads the same for all of them.
 */
#ifndef MWG502_COMPAT_H
#define MWG502_COMPAT_H

#include <ws_version.h>

#include <epan/packet.h>
#include <epan/dissectors/packet-http.h>

#define MWG_WS_AT_LEAST(maj, min) \
    (WIRESHARK_VERSION_MAJOR > (maj) || (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

/* 4.4 asks a plugin what it provides; older versions do not. */
#if MWG_WS_AT_LEAST(4, 4)
#include <wsutil/plugins.h>
#define MWG_HAVE_PLUGIN_DESCRIBE 1
#endif

/* The variable of a boolean preference: prefs_register_bool_preference()
 * takes a gboolean * on 4.0 and a bool * from 4.2 on (checked on 4.0, 4.4
 * and 4.6; gcc 14 and later reject the other pointer type outright). */
#if MWG_WS_AT_LEAST(4, 2)
typedef bool mwg_pref_bool_t;
#else
typedef gboolean mwg_pref_bool_t;
#endif

/* The buffer Wireshark made in this frame and named so (reassembled,
 * decrypted, de-chunked...), or NULL.  4.6 looks the source up first. */
static inline tvbuff_t *mwg_data_source(packet_info *pinfo, const char *name)
{
#if MWG_WS_AT_LEAST(4, 6)
    struct data_source *src = get_data_source_by_name(pinfo, name);
    return src ? get_data_source_tvb(src) : NULL;
#else
    return get_data_source_tvb_by_name(pinfo, name);
#endif
}

/* A data source's label, "Name (N bytes)", newly allocated (wmem_free(NULL,
 * ...)); renamed in 4.6. */
static inline char *mwg_data_source_label(const struct data_source *src)
{
#if MWG_WS_AT_LEAST(4, 6)
    return get_data_source_description(src);
#else
    return get_data_source_name(src);
#endif
}

/* HTTP keeps, per frame, the request/response record of the message it
 * dissected there (under key 0, named only from 4.2 on); from 4.4 on the
 * record also holds the method and the status. */
#ifndef HTTP_PROTO_DATA_REQRES
#define HTTP_PROTO_DATA_REQRES 0
#endif
#if MWG_WS_AT_LEAST(4, 4)
#define MWG_HTTP_RECORD_HAS_MESSAGE 1
#endif

#endif
