/** Moved to local/stream-reader.ts (the local event source mapping reads streams the same way); kept so existing imports keep working. */
export * from '../../local/stream-reader';
