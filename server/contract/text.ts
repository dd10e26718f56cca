/** Control characters (C0 and DEL): never allowed in a name, user name or address. */
export const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
