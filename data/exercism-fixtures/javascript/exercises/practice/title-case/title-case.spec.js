import { titleCase } from './title-case';

describe('titleCase', () => {
  test('one word', () => {
    expect(titleCase('hi')).toEqual('Hi');
  });
});
