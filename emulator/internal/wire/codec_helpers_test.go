package wire

// UnmarshalCBOR is unmarshalCBOR without an arena, for tests.
func UnmarshalCBOR(data []byte, v any) error { return unmarshalCBOR(data, v, nil) }

// ScanJSON decodes data into v through its ScanJSON, blobs into arena (when not nil), and reports
// whether v took it: on false v is zero and the body needs the general decoder. It is for tests
// that check a type's ScanJSON against encoding/json.
func ScanJSON(data []byte, v ScannedJSON, arena *Arena) bool {
	d := &jsonDecoder{data: data}
	if arena != nil {
		d.arena = arena.buf[:0]
	}
	return scanJSON(d, v)
}
