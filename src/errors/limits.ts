/** Partner Center's documented maximum length of `description`. */
export const MAX_DESCRIPTION_CHARS = 1024;

/** Longest body snippet kept on an error. */
export const MAX_BODY_SNIPPET_CHARS = 2 * 1024;

/** Largest `data` kept, as serialised JSON characters; larger data becomes a truncated preview string. */
export const MAX_DATA_CHARS = 8 * 1024;

/** Largest body text that is parsed as JSON; larger bodies are kept as a capped snippet only. */
export const MAX_PARSED_BODY_CHARS = 1024 * 1024;
