package ingest

// LockedBuffer lends the external tests the buffer that the display's
// goroutine may write to while a test reads it.
type LockedBuffer = lockedBuffer
