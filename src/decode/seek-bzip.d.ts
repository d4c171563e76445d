// Types for the parts of seek-bzip (plain CommonJS, no bundled types) that codecs/bz2.ts uses.
declare module 'seek-bzip' {
  interface BzipInputStream {
    readByte(): number;
    read(buffer: Uint8Array, offset: number, length: number): number;
    eof(): boolean;
    seek(pos: number): void;
  }
  interface BzipOutputStream {
    writeByte(byte: number): void;
  }
  interface Bunzip {
    decode(input: BzipInputStream, output: BzipOutputStream, multistream?: boolean): void;
  }
  const Bunzip: Bunzip;
  export default Bunzip;
}
