package io.gridshare.node.chat;

/**
 * A name or attribute that does not exist. Like Jinja2's default Undefined it prints as nothing,
 * is false, iterates as empty, and fails only when used in arithmetic or called.
 */
record Undefined(String name) {
}
