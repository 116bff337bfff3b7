import { countEvens } from './count-evens';

describe('countEvens', () => {
  test('empty', () => {
    expect(countEvens([])).toEqual(0);
  });

  xtest('mixed', () => {
    expect(countEvens([0, 2, 5])).toEqual(2);
  });

  xtest('negative', () => {
    expect(countEvens([-4, -3])).toEqual(1);
  });
});
