/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plugin.c - the entry points Wireshark looks for in a plugin. */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/proto.h>

#include "compat.h"
#include "packet-mwg502.h"

#ifndef VERSION
#define VERSION "0.0.0"
#endif

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

#ifdef MWG_HAVE_PLUGIN_DESCRIBE
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER;
}
#endif

void plugin_register(void)
{
    static proto_plugin plug;
    plug.register_protoinfo = proto_register_mwg502;
    plug.register_handoff = proto_reg_handoff_mwg502;
    proto_register_plugin(&plug);
}
