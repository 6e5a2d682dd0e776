/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.c - the engine's configuration: which ports are the gateway's,
 * which statuses to explain, its windows and capacities.  The preferences
 * (packet-mwg502.c) fill it; the defaults are those of constants.h. */
#include "correlate.h"

#include <string.h>

static void set_bit(uint8_t *bits, unsigned i, bool on)
{
    if (on)
        bits[i / 8] |= (uint8_t)(1u << (i % 8));
    else
        bits[i / 8] &= (uint8_t)~(1u << (i % 8));
}

void mwg_config_defaults(mwg_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    mwg_config_set_proxy_port(cfg, MWG_DEFAULT_PROXY_PORT, true);
    mwg_config_set_error_status(cfg, MWG_DEFAULT_STATUS, true);
    cfg->dns_window_s = MWG_DEFAULT_DNS_WINDOW_S;
    cfg->connect_window_s = MWG_DEFAULT_CONNECT_WINDOW_S;
    cfg->response_timeout_s = MWG_DEFAULT_RESPONSE_TIMEOUT_S;
    cfg->max_conns = MWG_MAX_CONNS;
    cfg->max_names = MWG_MAX_NAMES;
}

void mwg_config_set_proxy_port(mwg_config *cfg, unsigned port, bool on)
{
    if (port < 65536)
        set_bit(cfg->proxy_ports, port, on);
}

void mwg_config_set_error_status(mwg_config *cfg, unsigned status, bool on)
{
    if (status < 1000)
        set_bit(cfg->error_statuses, status, on);
}

bool mwg_config_is_proxy_port(const mwg_config *cfg, unsigned port)
{
    return port < 65536 && (cfg->proxy_ports[port / 8] >> (port % 8) & 1);
}

bool mwg_config_is_error_status(const mwg_config *cfg, unsigned status)
{
    return status < 1000 && (cfg->error_statuses[status / 8] >> (status % 8) & 1);
}

bool mwg_config_has_addr(const mwg_addr *list, unsigned n, const mwg_addr *a)
{
    for (unsigned i = 0; i < n; i++)
        if (mwg_addr_equal(&list[i], a))
            return true;
    return false;
}

bool mwg_config_add_addr(mwg_addr *list, unsigned *n, const mwg_addr *a)
{
    if (!a->family || mwg_config_has_addr(list, *n, a))
        return true;
    if (*n >= MWG_MAX_KNOWN_ADDRS)
        return false;
    list[(*n)++] = *a;
    return true;
}
