/**
 * Replacing a file so that readers, and a crash, see the old bytes or the new
 * ones, never a mix: write a temporary file in the same folder, flush it to disk,
 * rename it over the target (atomic on POSIX file systems), then flush the folder
 * so the rename itself survives a power loss.
 *
 * @module
 */
import { dirname } from "node:path";

/**
 * Replaces `path` with `bytes` through the temporary file `tmp` (by default
 * `path` + ".tmp"; it must be in the same folder). A failed write or rename
 * removes the temporary file it made and leaves `path` as it was.
 */
export async function replaceFile(
  path: string,
  bytes: Uint8Array,
  tmp = `${path}.tmp`,
): Promise<void> {
  const file = await Deno.open(tmp, {
    write: true,
    create: true,
    truncate: true,
  });
  try {
    try {
      for (let done = 0; done < bytes.length;) {
        done += await file.write(bytes.subarray(done));
      }
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  try {
    using folder = await Deno.open(dirname(path));
    await folder.sync();
  } catch {
    // Not every system can flush a folder; the rename is atomic all the same.
  }
}
