package io.gridshare.node.link;

/** Where one gateway link stands; published on /health and /metrics. */
public enum LinkState {
    /** Dialling the gateway and waiting for its Challenge. */
    CONNECTING,
    /** Hello sent; waiting for Welcome or Rejected. */
    HANDSHAKING,
    /** Welcomed: heartbeating and taking jobs. */
    LINKED,
    /** The link dropped or was rejected; waiting before the next attempt. */
    BACKING_OFF,
    /** Rejected for a reason retrying cannot fix (bad signature, unsupported version, malformed Hello). */
    REJECTED,
    /** Closed by the node. */
    STOPPED
}
