import { titleCase } from './title-case';

describe('titleCase', () => {
  test('one word', () => {
    expect(titleCase('hello')).toEqual('Hello');
  });

  xtest('several words', () => {
    expect(titleCase('the OLD man')).toEqual('The Old Man');
  });
});
