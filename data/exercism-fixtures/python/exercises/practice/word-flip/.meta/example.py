def flip(sentence):
    return sentence[::-1]
