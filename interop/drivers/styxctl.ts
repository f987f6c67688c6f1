// Lab driver: styxctl, compiled with the lab.
import '../../src/control/styxctl-bin.js';
