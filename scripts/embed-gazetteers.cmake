# embed-gazetteers.cmake - writes the assistant's gazetteers (data/assistant/*.txt) into a C
# file at build time (-DIN=folder -DOUT=file.c), so the program carries its data and nothing is
# generated into the repository. Each file NAME.txt becomes tz_gaz_NAME[] and tz_gaz_NAME_len.
set(out "/* Generated at build time by scripts/embed-gazetteers.cmake from ${IN}: do not edit. */\n")
string(APPEND out "#include <stddef.h>\n")
foreach(name given family places titles)
  file(READ ${IN}/${name}.txt hex HEX)
  string(LENGTH "${hex}" n)
  math(EXPR n "${n} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
  string(APPEND out "extern const unsigned char tz_gaz_${name}[];\n")
  string(APPEND out "extern const size_t tz_gaz_${name}_len;\n")
  string(APPEND out "const unsigned char tz_gaz_${name}[] = {${body}0};\n")
  string(APPEND out "const size_t tz_gaz_${name}_len = ${n};\n")
endforeach()
file(WRITE ${OUT}.tmp "${out}")
file(RENAME ${OUT}.tmp ${OUT})
