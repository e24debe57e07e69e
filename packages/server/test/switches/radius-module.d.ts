// The `radius` npm package (1.1.4) ships no types: the few calls the tests make.
declare module 'radius' {
  interface Decoded {
    code: string;
    identifier: number;
    attributes: Record<string, unknown>;
  }
  const radius: {
    encode(args: { code: string; secret: string; identifier?: number;
      attributes: Array<[string, unknown]>; add_message_authenticator?: boolean }): Buffer;
    decode(args: { packet: Buffer; secret: string }): Decoded;
    encode_response(args: { packet: Decoded; code: string; secret: string;
      attributes?: Array<[string, unknown]> }): Buffer;
    verify_response(args: { request: Buffer; response: Buffer; secret: string }): boolean;
  };
  export default radius;
}
