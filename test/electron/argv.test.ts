import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectDirFromArgv } from '../../main/electron/argv';

const existing = new Set(['/home/u/projects/cats', '/home/u/projects/dogs', '/opt/app', '/work/repo']);
const options = { cwd: '/home/u', appPath: '/opt/app', isDirectory: (d: string) => existing.has(d) };

describe('project folder from a command line', () => {
  it('takes --project <dir> and --project=<dir>, relative to the cwd', () => {
    expect(projectDirFromArgv(['/opt/app/saliency-workbench', '--project', 'projects/cats'], options)).toBe('/home/u/projects/cats');
    expect(projectDirFromArgv(['/opt/app/saliency-workbench', '--project=/home/u/projects/dogs'], options)).toBe('/home/u/projects/dogs');
  });

  it('otherwise takes the last plain argument that is an existing folder', () => {
    expect(projectDirFromArgv(['/opt/app/saliency-workbench', 'projects/cats'], options)).toBe('/home/u/projects/cats');
    expect(projectDirFromArgv(['/opt/app/saliency-workbench', 'projects/cats', 'projects/dogs', 'notes.txt'], options)).toBe('/home/u/projects/dogs');
  });

  it("skips Chromium's switches and the app's own folder (`electron .` in development)", () => {
    const dev = { ...options, cwd: '/work/repo', appPath: '/work/repo' };
    expect(projectDirFromArgv(['/usr/lib/electron', '--no-sandbox', '--allow-file-access-from-files', '.'], dev)).toBeNull();
    expect(projectDirFromArgv(['/usr/lib/electron', '.', '/home/u/projects/cats', '--enable-logging'], dev)).toBe('/home/u/projects/cats');
  });

  it('names nothing when no argument is a folder, and never looks at argv[0]', () => {
    expect(projectDirFromArgv(['/home/u/projects/cats'], options)).toBeNull();
    expect(projectDirFromArgv(['/opt/app/saliency-workbench', 'missing-folder'], options)).toBeNull();
    expect(projectDirFromArgv(['/opt/app/saliency-workbench', '--project'], options)).toBeNull();
  });

  it('checks real folders by default', () => {
    const here = path.dirname(new URL(import.meta.url).pathname);
    expect(projectDirFromArgv(['exe', here], { cwd: '/', appPath: '/nonexistent' })).toBe(here);
    expect(projectDirFromArgv(['exe', path.join(here, 'argv.test.ts')], { cwd: '/', appPath: '/nonexistent' })).toBeNull();
  });
});
