// `modesl` (1.2.1) ships no types: the calls the emulator test makes.
declare module 'modesl' {
  interface EslEvent {
    getHeader(name: string): string | null;
    getBody(): string;
    getType(): string;
  }
  class Connection {
    constructor(host: string, port: number, password: string, ready: () => void);
    events(type: 'plain' | 'json', events: string, callback?: () => void): void;
    api(command: string, callback: (response: EslEvent) => void): void;
    on(name: string, listener: (event: EslEvent) => void): void;
    socket: { destroy(): void } | null;
  }
  const modesl: { Connection: typeof Connection };
  export default modesl;
}
