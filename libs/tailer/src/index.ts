export { FileTailer, TailChunk, TailEntry, TailerOptions } from './file-tailer';
export { expandGlobs, fileNamePattern, matchesAnyGlob } from './glob';
