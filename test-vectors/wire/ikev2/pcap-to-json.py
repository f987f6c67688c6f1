#!/usr/bin/env python3
"""Turns a capture made by capture-strongswan.sh into the JSON vector file the
tests read: one entry per IKE datagram, the non-ESP marker (RFC 3948 §2.2)
stripped from port-4500 packets. Usage: pcap-to-json.py IN.pcap OUT.json SOURCE"""
import json, struct, sys

NAMES = {34: 'IKE_SA_INIT', 35: 'IKE_AUTH', 36: 'CREATE_CHILD_SA', 37: 'INFORMATIONAL'}
data = open(sys.argv[1], 'rb').read()
assert struct.unpack('<I', data[:4])[0] == 0xA1B2C3D4 and struct.unpack('<I', data[20:24])[0] == 1
off, msgs = 24, []
while off < len(data):
    _, _, incl, _ = struct.unpack('<IIII', data[off:off + 16])
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = pkt[14:]
    udp = ip[(ip[0] & 15) * 4:]
    sport, dport = struct.unpack('>HH', udp[:4])
    payload = udp[8:]
    if 4500 in (sport, dport):
        assert payload[:4] == b'\0\0\0\0'
        payload = payload[4:]
    role = 'response' if payload[19] & 0x20 else 'request'
    mid = struct.unpack('>I', payload[20:24])[0]
    msgs.append({
        'name': f'{NAMES.get(payload[18], payload[18])} {role} mid={mid} #{len(msgs) + 1}',
        'from': '.'.join(map(str, ip[12:16])) + f':{sport}',
        'to': '.'.join(map(str, ip[16:20])) + f':{dport}',
        'hex': payload.hex(),
    })
json.dump({'source': sys.argv[3], 'messages': msgs}, open(sys.argv[2], 'w'), indent=1)
print(len(msgs), 'messages')
