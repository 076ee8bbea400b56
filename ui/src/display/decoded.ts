// What `decode_value` answers: a stored value read as a display kind
// (tagged by "type"). Written by hand from the backend's shapes
// (sonde-display's `Decoded`); integers beyond ±2^53 arrive as decimal
// strings, NaN/±Infinity as "NaN"/"Infinity"/"-Infinity". Node types the
// UI does not know yet are shown generically (key/value JSON), so new
// variants never break the inspector.

/** A JSON number, or the text of one JavaScript cannot hold exactly. */
export type Num = number | string;

export type PlistNode =
  | { type: "null" }
  | { type: "dict"; class?: string; entries: { key: string; value: PlistNode }[] }
  | { type: "array"; items?: PlistNode[] }
  | { type: "string"; value: string }
  | { type: "integer"; value: Num }
  | { type: "real"; value: Num }
  | { type: "bool"; value: boolean }
  | { type: "date"; utc: string; epoch_ms: number }
  | { type: "data"; bytes: number; hex: string }
  | { type: "uuid"; value?: string; text?: string }
  | { type: "url"; value: string }
  | { type: "uid"; value: Num }
  | { type: "ref"; uid: Num };

export interface ProtoField {
  field: number;
  type: string;
  [k: string]: unknown;
}

export type Preview = { type: "text"; text: string; truncated: boolean } | { type: "hex"; hex: string; truncated: boolean };

export type Decoded =
  | { type: "date"; epoch_ms: number; utc: string; raw: string }
  | { type: "uuid"; text: string }
  | { type: "image"; format: string; width: number | null; height: number | null; bytes: number }
  | { type: "plist"; archiver: boolean; root: PlistNode }
  | { type: "protobuf"; fields: ProtoField[] }
  | { type: "json"; value: unknown }
  | { type: "decompressed"; format: string; bytes: number; truncated: boolean; preview: Preview };
