/** Child script: selects a backend and prints its BackendInfo as JSON (exit 3 with the AppError on failure). */
import { AppError } from '../../../shared/errors';
import { selectBackend } from '../../../main/engine/backends';

try {
  const { info } = await selectBackend();
  console.log(JSON.stringify(info));
} catch (err) {
  console.log(JSON.stringify(AppError.from(err).toJSON()));
  process.exit(3);
}
