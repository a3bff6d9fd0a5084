// Package atomicfile replaces files so that a reader, or the file system
// after a crash, sees the old file or the new one and never a mix: the new
// contents go to a temporary file in the same directory, which is synced,
// renamed over the old one, and the directory synced. store's column,
// symbol and schema files and rayarrow's IPC and Parquet files are all
// written this way.
package atomicfile
