import { total } from './tidy-invoice';

describe('total', () => {
  test('empty invoice', () => {
    expect(total([])).toEqual(0);
  });

  xtest('rounds to cents', () => {
    expect(total([{ price: 0.1, quantity: 3 }, { price: 2.5, quantity: 2 }])).toEqual(5.3);
  });
});
