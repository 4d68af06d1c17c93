import { compareSequencers } from '../src/sequencer';

describe('compareSequencers', () => {
  it.each([
    ['0055AED6DCD90281E5', '0055AED6DCD90281E6', -1],
    ['0055AED6DCD90281E6', '0055AED6DCD90281E5', 1],
    ['0055aed6dcd90281e5', '0055AED6DCD90281E5', 0],
    ['FF', '0100', -1],
  ])('compares %s with %s', (a, b, expected) => {
    expect(compareSequencers(a, b)).toBe(expected);
  });
});
