package io.gridshare.gateway.grid.routing;

/** The member holding a node's link could not start a routed job; the message says why. */
public class RouteRejectedException extends Exception {
    public RouteRejectedException(String message) {
        super(message);
    }
}
