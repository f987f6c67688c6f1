// Lab driver: the IKE socket probe of src/net (listen / send, one JSON line
// per event; see the header of src/net/selftest-cli.ts), compiled with the lab
// so that it starts in about a second inside UML.
import '../../src/net/selftest-cli.js';
