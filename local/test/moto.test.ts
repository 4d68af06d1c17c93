import { findMotoServer, MotoNotFoundError, startMoto } from '../src/moto';
import { isAlive, tempDir } from './helpers';

describe('findMotoServer', () => {
  it('prefers SLUICE_MOTO_SERVER', () => {
    const real = findMotoServer();
    expect(findMotoServer({ env: { SLUICE_MOTO_SERVER: real, PATH: '' }, useLoginShell: false })).toBe(real);
  });

  it('says where it looked and how to install moto when it finds nothing', () => {
    const home = tempDir('moto-home');
    try {
      const search = () =>
        findMotoServer({
          env: { SLUICE_MOTO_SERVER: '/nonexistent/moto_server', PATH: home.dir, HOME: home.dir },
          useLoginShell: false,
          pyenvVersionDirs: [home.dir],
        });
      expect(search).toThrow(MotoNotFoundError);
      expect(search).toThrow(
        /SLUICE_MOTO_SERVER=\/nonexistent\/moto_server.*PATH.*pip install "moto\[server\]"/,
      );
    } catch (error) {
      home.remove();
      throw error;
    }
    home.remove();
  });
});

describe('startMoto', () => {
  it('serves on 127.0.0.1 until stopped, then leaves no process behind', async () => {
    const moto = await startMoto();
    try {
      expect(moto.endpoint).toBe(`http://127.0.0.1:${moto.port}`);
      const response = await fetch(`${moto.endpoint}/moto-api/`);
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      expect(isAlive(moto.pid)).toBe(true);
    } finally {
      await moto.stop();
    }
    expect(isAlive(moto.pid)).toBe(false);
    await expect(moto.stop()).resolves.toBeUndefined();
  });
});
