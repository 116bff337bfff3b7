import { flip } from './word-flip';

describe('flip', () => {
  test('two words', () => {
    expect(flip('hello world')).toEqual('world hello');
  });
});
