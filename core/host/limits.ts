/**
 * Size limits of the workbench protocol, in one place so they stay consistent: an input a
 * procedure accepts must fit in one WebSocket message, or the client sees its connection closed
 * (1009) instead of an error that names the limit.
 */

/** Larger WebSocket messages close the connection with code 1009. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * The longest template text the workbench edits (characters). Three UTF-8 bytes per character
 * (the most a BMP character takes unescaped in JSON) plus the request around it stay under
 * MAX_MESSAGE_BYTES, so an over-long text gets INPUT_INVALID naming this limit, not a 1009 close.
 */
export const MAX_EDIT_TEXT_CHARS = 256 * 1024;

export const EDIT_TEXT_TOO_LONG = `The template text is longer than ${MAX_EDIT_TEXT_CHARS.toLocaleString('en-US')} characters (256 KiB), the most the workbench edits (a protocol message is at most ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB). Edit this template in your editor.`;
