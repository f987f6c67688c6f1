#!/usr/bin/env node
// Turns a capture made by capture-strongswan-keys.sh into a JSON vector file: the
// IKE datagrams from the pcap (non-ESP marker stripped) and the values the
// initiator's charon logged at "ike 4" (DH secret, SKEYSEED, Sk_*, the AUTH inputs
// and outputs). It copies; it computes nothing.
// Usage: node strongswan-keys-to-json.mjs DIR OUT.json 'SOURCE TEXT' 'TRANSFORMS JSON'
import { readFileSync, writeFileSync } from 'node:fs';

const [dir, out, source, transforms] = process.argv.slice(2);
const NAMES = { 34: 'IKE_SA_INIT', 35: 'IKE_AUTH', 36: 'CREATE_CHILD_SA', 37: 'INFORMATIONAL' };
const NAMES_V1 = { 2: 'MAIN_MODE', 4: 'AGGRESSIVE', 5: 'INFORMATIONAL_V1', 32: 'QUICK_MODE' };

function readPcap(file) {
  const data = readFileSync(file);
  if (data.readUInt32LE(0) !== 0xa1b2c3d4 || data.readUInt32LE(20) !== 1) throw new Error('not an Ethernet pcap');
  const messages = [];
  for (let off = 24; off < data.length; ) {
    const incl = data.readUInt32LE(off + 8);
    const pkt = data.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    const ip = pkt.subarray(14);
    const udp = ip.subarray((ip[0] & 15) * 4);
    const [sport, dport] = [udp.readUInt16BE(0), udp.readUInt16BE(2)];
    let payload = udp.subarray(8);
    if (sport === 4500 || dport === 4500) {
      if (payload.readUInt32BE(0) !== 0) throw new Error('missing non-ESP marker');
      payload = payload.subarray(4);
    }
    const v1 = payload[17] === 0x10;
    const role = v1 ? `from ${[...ip.subarray(12, 16)].join('.')}` : payload[19] & 0x20 ? 'response' : 'request';
    messages.push({
      name: `${(v1 ? NAMES_V1 : NAMES)[payload[18]] ?? payload[18]} ${role} mid=${payload.readUInt32BE(20)} #${messages.length + 1}`,
      from: `${[...ip.subarray(12, 16)].join('.')}:${sport}`,
      to: `${[...ip.subarray(16, 20)].join('.')}:${dport}`,
      hex: payload.toString('hex'),
    });
  }
  return messages;
}

/** strongSwan's %B dumps: "LABEL => N bytes @ ADDR" followed by "  OFF: HH HH ..." lines. */
function readLog(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const values = {};
  for (let i = 0; i < lines.length; i++) {
    const m = /^\d+\[(?:IKE|CHD)\] (.+?) => (\d+) bytes @ /.exec(lines[i]);
    if (!m) continue;
    let hex = '';
    for (let j = i + 1; j < lines.length; j++) {
      const d = /^\d+\[(?:IKE|CHD)\]\s+\d+: ((?:[0-9A-F]{2} ?)+)/.exec(lines[j]);
      if (!d) break;
      hex += d[1].replace(/\s+/g, '').toLowerCase();
    }
    if (hex.length !== Number(m[2]) * 2) throw new Error(`incomplete dump of ${m[1]}`);
    (values[m[1]] ??= []).push(hex);
  }
  return values;
}

const log = readLog(`${dir}/a/charon.log`);
const first = (label) => {
  if (!log[label]) throw new Error(`not logged: ${label}`);
  return log[label][0];
};
const both = (label) => {
  if (log[label]?.length !== 2) throw new Error(`expected two dumps of ${label}`);
  return log[label];
};
const optional = (label) => log[label]?.[0];
function ikev2Vector() {
  const octets = both("octets = message + nonce + prf(Sk_px, IDx')");
  const ids = both("IDx'");
  const auths = both('AUTH = prf(prf(secret, keypad), octets)');
  return {
    section: 'RFC 7296 §2.14 (SKEYSEED, SK_*), §2.15 (PSK AUTH), §3.14 (SK payload)',
    notes:
      'Logged by the initiator (alice). The responder authenticates as bob@styx.test. The PSK is the lab value below, not a real secret. "initiatorAuth"/"responderAuth" hold the IDx\' bodies, the signed octets and the AUTH values strongSwan computed (for its own AUTH and to verify the peer\'s).',
    logged: {
      sharedSecret: first('shared Diffie Hellman secret'),
      skeyseed: first('SKEYSEED'),
      skD: first('Sk_d secret'),
      skAi: optional('Sk_ai secret') ?? '',
      skAr: optional('Sk_ar secret') ?? '',
      skEi: first('Sk_ei secret'),
      skEr: first('Sk_er secret'),
      skPi: first('Sk_pi secret'),
      skPr: first('Sk_pr secret'),
      initiatorAuth: { idBody: ids[0], signedOctets: octets[0], auth: auths[0] },
      responderAuth: { idBody: ids[1], signedOctets: octets[1], auth: auths[1] },
    },
  };
}
function ikev1Vector() {
  return {
    section: 'RFC 2409 §5 (SKEYID for pre-shared keys, SKEYID_d/a/e, HASH_I/HASH_R), App. B (Ka), §5.5 (Quick Mode KEYMAT)',
    notes:
      'Main Mode with PSK, then one Quick Mode, logged by the initiator (alice); installing the ESP SA failed on the host kernel after the keys were derived. "hashIData"/"hashRData" are the octets strongSwan fed to the PRF for HASH_I/HASH_R; "initiatorSaSeed"/"responderSaSeed" the Quick Mode KEYMAT seeds ([g(qm)^xy |] protocol | SPI | Ni_b | Nr_b); the Quick Mode keys are KEYMAT split into encryption then integrity key.',
    logged: {
      sharedSecret: first('shared Diffie Hellman secret'),
      skeyid: first('SKEYID'),
      skeyidD: first('SKEYID_d'),
      skeyidA: first('SKEYID_a'),
      skeyidE: first('SKEYID_e'),
      encryptionKeyKa: first('encryption key Ka'),
      initialIv: first('initial IV'),
      hashIData: first('HASH_I data'),
      hashI: first('HASH_I'),
      hashRData: first('HASH_R data'),
      hashR: first('HASH_R'),
      quickModeSharedSecret: optional('DH secret') ?? '',
      initiatorSaSeed: first('initiator SA seed'),
      responderSaSeed: first('responder SA seed'),
      encryptionInitiatorKey: first('encryption initiator key'),
      encryptionResponderKey: first('encryption responder key'),
      integrityInitiatorKey: first('integrity initiator key'),
      integrityResponderKey: first('integrity responder key'),
    },
  };
}
const versioned = log.SKEYID ? ikev1Vector() : ikev2Vector();
const vector = {
  source,
  section: versioned.section,
  notes: versioned.notes,
  transforms: JSON.parse(transforms),
  preSharedKey: 'styx-lab-not-a-secret',
  messages: readPcap(`${dir}/ike.pcap`),
  logged: versioned.logged,
};
writeFileSync(out, `${JSON.stringify(vector, null, 1)}\n`);
console.log(vector.messages.length, 'messages');
