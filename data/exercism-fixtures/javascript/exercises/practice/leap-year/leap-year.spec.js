import { isLeap } from './leap-year';

describe('isLeap', () => {
  test('not divisible by 4', () => {
    expect(isLeap(2015)).toBe(false);
  });

  xtest('divisible by 4', () => {
    expect(isLeap(1996)).toBe(true);
  });

  xtest('century', () => {
    expect(isLeap(1900)).toBe(false);
  });

  xtest('divisible by 400', () => {
    expect(isLeap(2000)).toBe(true);
  });
});
