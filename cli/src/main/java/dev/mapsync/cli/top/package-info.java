/**
 * {@code mapsync top}: what the live view of a map shows ({@link dev.mapsync.cli.top.TopView}), computed from looks
 * at an array or a hash map ({@link dev.mapsync.cli.top.TopSource}) and rendered as text, apart from the terminal.
 */
package dev.mapsync.cli.top;
