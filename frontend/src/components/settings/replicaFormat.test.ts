// The replication's words and requests, case by case.
import { describe, expect, it } from 'vitest';
import { durationText, emptyForm, kindOf, missing, requestOf, type ReplicaForm } from './replicaFormat';
import { replicaOff, replicating } from './replicaFixture';

const form = (over: Partial<ReplicaForm>): ReplicaForm => ({ ...emptyForm(null), ...over });

describe('replicaFormat', () => {
  it('tells the kind from the URL', () => {
    const cases: [string | undefined, string][] = [
      [undefined, 'folder'],
      ['/mnt/backup', 'folder'],
      ['file:///mnt/backup', 'folder'],
      ['SFTP://me@host/ice', 'sftp'],
      ['s3://bucket/ice', 's3'],
    ];
    for (const [url, want] of cases) expect(kindOf(url), `kindOf(${url})`).toBe(want);
  });

  it('says durations shortly', () => {
    const cases: [number, string][] = [
      [-5, '0 s'],
      [999, '0 s'],
      [59_999, '59 s'],
      [60_000, '1 min'],
      [3_599_999, '59 min'],
      [7_200_000, '2 h'],
      [3 * 86_400_000, '3 d'],
    ];
    for (const [ms, want] of cases) expect(durationText(ms), `durationText(${ms})`).toBe(want);
  });

  it('prefills the form from the view, never a secret, and a folder as its path', () => {
    expect(emptyForm(replicaOff({ url: 'file:///ignored' })).url).toBe('');
    expect(emptyForm(replicating())).toMatchObject({ kind: 'folder', url: '/mnt/backup/ice', password: '', secretAccessKey: '' });
    expect(emptyForm(replicating({ url: 's3://b/p' }))).toMatchObject({ kind: 's3', url: 's3://b/p', accessKeyId: '', secretAccessKey: '' });
  });

  it('sends only the fields of the kind chosen', () => {
    const all = { url: ' x ', keyFile: ' /k ', password: 'p', endpoint: ' http://e:1 ', region: ' r ', accessKeyId: ' a ', secretAccessKey: 's ' };
    expect(requestOf(form({ ...all, kind: 'folder' }))).toEqual({ url: 'x' });
    expect(requestOf(form({ ...all, kind: 'sftp' }))).toEqual({ url: 'x', keyFile: '/k', password: 'p' });
    expect(requestOf(form({ ...all, kind: 's3' }))).toEqual({ url: 'x', endpoint: 'http://e:1', region: 'r', accessKeyId: 'a', secretAccessKey: 's ' });
    expect(requestOf(form({ kind: 's3', url: 's3://b', accessKeyId: 'a', secretAccessKey: 's' }))).toEqual({ url: 's3://b', accessKeyId: 'a', secretAccessKey: 's' });
  });

  it('says what the form lacks', () => {
    expect(missing(form({ kind: 'folder', url: ' ' }))).toBe('the folder');
    expect(missing(form({ kind: 'sftp', url: '' }))).toBe('the URL');
    expect(missing(form({ kind: 's3', url: 's3://b', accessKeyId: 'a' }))).toBe('the access key id and its secret');
    expect(missing(form({ kind: 's3', url: 's3://b', accessKeyId: 'a', secretAccessKey: 's' }))).toBeNull();
    expect(missing(form({ kind: 'sftp', url: 'sftp://me@h/p' }))).toBeNull();
  });
});
