/* SPDX-License-Identifier: GPL-2.0-or-later */
/* packet-mwg502.h - registration entry points, called by plugin.c. */
#ifndef PACKET_MWG502_H
#define PACKET_MWG502_H

void proto_register_mwg502(void);
void proto_reg_handoff_mwg502(void);

#endif
