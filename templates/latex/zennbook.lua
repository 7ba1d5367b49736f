-- zennbook.lua: the node-level half of the book's fonts; zennbook.sty loads it, and
-- zbfonts.tex (written by zennbook/writers/fonts.py) configures it.
--
-- 1. Emoji sequences in the emoji font. luaotfload's fallback chooses a font character by
--    character, so the parts of 👨‍💻 (U+1F468 U+200D U+1F4BB), 1️⃣ ('1' U+FE0F U+20E3) or
--    👍🏽 could land in different fonts and never be shaped into one glyph. Before luaotfload
--    shapes a list (its pre_shaping_filter), each emoji sequence is put whole in the emoji
--    font (HarfBuzz mode) at the size of the text around it. A variation selector that no
--    emoji takes (text presentation, U+FE0E) is dropped: no font draws it.
-- 2. Emoji are text. The colour emoji font has bitmaps and no outlines, so its glyphs are
--    drawn as images, which search, copy and pdftotext never see: luaotfload's ActualText
--    spans around them hold no text and poppler drops such spans. After shaping
--    (post_shaping_filter), each emoji cluster gets an ActualText span with its characters
--    and, inside it, an invisible glyph (text render mode 3) as wide as the emoji, so that
--    the span has a place on the page.
--    A glyph two characters share (Noto CJK draws ➊ and ❶ with one glyph) extracts as one
--    of them only (a font's ToUnicode maps a glyph to one text): each such character outside
--    Japanese text gets an ActualText span with its own character too.
-- 3. One copy of each font in a book built in units (writers/pdfunits.py): every job loads
--    the same cut files, and with `embed_whole` embeds them whole instead of cutting its own
--    subset, so that the joined PDF holds each font program once.

zennbook = zennbook or {}

local D = node.direct
local glyph_id = node.id("glyph")
local whatsit_id = node.id("whatsit")
local literal_subtype = node.subtype("pdf_literal")
local properties = D.get_properties_table()
local START_ACTUAL, END_ACTUAL = "luaotfload_startactualtext", "luaotfload_endactualtext"

local config = {
  emoji = "name:Noto Color Emoji:mode=harf;",   -- the emoji font (luaotfload request)
  ghost = "name:Noto Serif CJK JP",             -- the font of the invisible glyphs
  ghost_char = 0x3013,                          -- 〓: one em wide, in every cut of the face
  emoji_chars = nil,                            -- code point -> true; nil: the emoji font's own
  embed_whole = false,                          -- embed the fonts cut for the book whole
}

function zennbook.configure(settings)
  for key, value in pairs(settings) do config[key] = value end
end

-- Fonts made here: the emoji font and invisible fonts, one per size.

local function invisible(tfmdata) tfmdata.mode = 3 end   -- PDF text render mode 3
fonts.constructors.newfeatures("otf").register {
  name = "zbinvisible", description = "zennbook: glyphs drawn invisibly",
  manipulators = { base = invisible, node = invisible, plug = invisible },
}

local function define(request, size)
  local loaded = luaotfload.define_font(request, size)
  if type(loaded) == "table" then
    local id = font.define(loaded)
    fonts.definers.register(loaded, id)
    return id
  end
  return loaded
end

local emoji_ids, emoji_by_size, ghost_by_size = {}, {}, {}

local function emoji_font(size)
  local id = emoji_by_size[size]
  if id == nil then
    id = define(config.emoji, size) or false
    emoji_by_size[size] = id
    if id then emoji_ids[id] = true end
  end
  return id
end

local function ghost_font(size)
  local id = ghost_by_size[size]
  if id == nil then
    id = define(config.ghost .. ":mode=base;zbinvisible=yes;", size) or false
    ghost_by_size[size] = id
  end
  return id
end

local function font_data(id)
  return fonts.hashes.identifiers[id] or font.getfont(id) or {}
end
local size_of = setmetatable({}, { __index = function(t, id)
  local size = font_data(id).size or tex.sp("10pt"); t[id] = size; return size end })
local chars_of = setmetatable({}, { __index = function(t, id)
  local chars = font_data(id).characters or {}; t[id] = chars; return chars end })

local function emoji_chars()
  if not config.emoji_chars then
    local id = emoji_font(tex.sp("10pt"))
    config.emoji_chars = {}
    for code in pairs(id and chars_of[id] or {}) do
      if code < 0x110000 then config.emoji_chars[code] = true end
    end
  end
  return config.emoji_chars
end

local function japanese_font(id)
  return luatexja and luatexja.jfont and luatexja.jfont.font_metric_table[id] ~= nil
end

-- 1. Sequences (Unicode TS #51, the forms fonts draw as one glyph).

local KEYCAP = { [0x23] = true, [0x2A] = true }
for code = 0x30, 0x39 do KEYCAP[code] = true end
local function modifier(c) return c >= 0x1F3FB and c <= 0x1F3FF end
local function indicator(c) return c >= 0x1F1E6 and c <= 0x1F1FF end
local function extender(c)
  return c == 0xFE0F or c == 0x20E3 or modifier(c) or (c >= 0xE0020 and c <= 0xE007F)
end

local function char_at(n)          -- the character of an unshaped glyph node, else nil
  if n then
    local c = D.is_char(n)
    if c then return c end
  end
  return nil
end

local function emoji_starts(c, after, font, emoji)
  if c < 0x80 or not emoji[c] or after == 0xFE0E then return false end
  return after == 0xFE0F or after == 0x200D or (after and modifier(after)) or indicator(c)
         or not chars_of[font][c]
end

-- The last node of the emoji sequence that starts at n (character c), or nil.
local function sequence_end(n, c, emoji)
  local after_node = D.getnext(n)
  local after = char_at(after_node)
  if KEYCAP[c] then
    if after == 0x20E3 then return after_node end
    local third = after_node and D.getnext(after_node)
    if after == 0xFE0F and char_at(third) == 0x20E3 then return third end
    return nil
  end
  if not emoji_starts(c, after, D.getfont(n), emoji) then return nil end
  local last = n
  if indicator(c) and after and indicator(after) then last = after_node end   -- a flag
  while true do
    local m = D.getnext(last)
    local k = char_at(m)
    if k and extender(k) then
      last = m
    elseif k == 0x200D and emoji[char_at(D.getnext(m)) or 0] then
      last = D.getnext(m)
    else
      return last
    end
  end
end

-- Joiners, selectors and tags that no sequence took: invisible, and no font draws them alone.
local function stray(c)
  return c == 0x200D or c == 0xFE0E or c == 0xFE0F or (c >= 0xE0020 and c <= 0xE007F)
end

-- An ideograph the Japanese face lacks is set by a fallback as a Latin character
-- (zbfonts.tex, range 201), and Latin characters have no breaks between them: a run of rare
-- kanji would run off the page. Each gets the room to break that kanji have (kanjiskip).
local function ideograph(c)
  return (c >= 0x3400 and c <= 0x9FFF) or (c >= 0xF900 and c <= 0xFAFF) or (c >= 0x20000 and c <= 0x3134F)
end

local function breakable_before(head, n)
  local glue = D.new(node.id("glue"))
  D.setglue(glue, 0, size_of[D.getfont(n)] // 10, 0)           -- 0pt plus 0.1em
  D.setattributelist(glue, D.getattributelist(n))
  return D.insert_before(head, n, glue)
end

local function set_emoji_run(n, last, id)
  local m = n
  while true do
    D.setfont(m, id)
    if m == last then return end
    m = D.getnext(m)
  end
end

local function set_emoji_fonts(head)
  local emoji = nil
  local n = head
  while n do
    local nxt = D.getnext(n)
    local c = char_at(n)
    local font = c and D.getfont(n)
    if c and c >= 0x23 and not emoji_ids[font] then
      local last
      if c >= 0x80 or KEYCAP[c] then
        emoji = emoji or emoji_chars()
        last = not stray(c) and sequence_end(n, c, emoji)
      end
      local id = last and emoji_font(size_of[font])
      if id then
        set_emoji_run(n, last, id)
        nxt = D.getnext(last)
      elseif stray(c) then
        head = D.remove(head, n)
        D.flush_node(n)
      elseif ideograph(c) and not japanese_font(font) and char_at(D.getprev(n)) then
        head = breakable_before(head, n)
      end
    end
    n = nxt
  end
  return head
end

-- 2. ActualText with an invisible glyph.

local function utf16_hex(text)
  local out = {}
  for _, c in utf8.codes(text) do
    if c < 0x10000 then
      out[#out + 1] = string.format("%04X", c)
    else
      c = c - 0x10000
      out[#out + 1] = string.format("%04X%04X", 0xD800 + (c >> 10), 0xDC00 + (c & 0x3FF))
    end
  end
  return table.concat(out)
end

local function literal(data, base)
  local n = D.new(whatsit_id, literal_subtype)
  D.setfield(n, "mode", 1)          -- page: outside any text object, as luaotfload's own
  D.setfield(n, "data", data)
  D.setattributelist(n, D.getattributelist(base))
  return n
end

local function ghost(width, base)
  local size = math.max(65536, math.floor(width / 16384 + 0.5) * 16384)   -- quarter points
  local id = ghost_font(size)
  if not id then return nil end
  local g = D.new(glyph_id)
  D.setfont(g, id)
  D.setchar(g, config.ghost_char)
  D.setattributelist(g, D.getattributelist(base))
  D.protect_glyph(g)
  properties[g] = { zb_text = true }
  return g
end

local function cluster_text(n)     -- the characters of the cluster n starts, or nil
  local props = properties[n]
  local text = props and props.glyph_info
  if text and text ~= "" and not props.zb_text then return text, props end
  return nil
end

local function cluster_end(n)      -- the last glyph of the cluster that starts at n
  local last, m = n, D.getnext(n)
  while m do
    local id = D.getid(m)
    if id == glyph_id then
      local props = properties[m]
      if not emoji_ids[D.getfont(m)] or not props or props.glyph_info ~= "" then break end
      last = m
    elseif id ~= node.id("kern") then
      break
    end
    m = D.getnext(m)
  end
  return last
end

local function forget_actualtext(first, last)
  local m = first
  while true do
    local props = properties[m]
    if props then props[START_ACTUAL], props[END_ACTUAL] = nil, nil end
    if m == last then return end
    m = D.getnext(m)
  end
end

local shared_of = setmetatable({}, { __index = function(t, id)
  local users, shared = {}, {}
  for code, char in pairs(font_data(id).characters or {}) do
    local index = code < 0xF0000 and char.index
    if index then
      if users[index] then shared[users[index]], shared[code] = true, true else users[index] = code end
    end
  end
  t[id] = next(shared) and shared or false
  return t[id]
end })

local function span(head, first, last, text)   -- ActualText around first..last; the new head
  head = D.insert_before(head, first, literal("/Span<</ActualText<FEFF" .. utf16_hex(text) .. ">>>BDC", first))
  local close = literal("EMC", first)
  head = D.insert_after(head, last, close)
  return head, close
end

local function emoji_cluster_as_text(head, n, text)
  local last = cluster_end(n)
  forget_actualtext(n, last)
  local width = D.dimensions(n, D.getnext(last))
  local close
  head, close = span(head, n, last, text)
  local g = ghost(width, n)
  if g then
    head = D.insert_before(head, n, g)
    local back = D.new(node.id("kern"))
    D.setkern(back, -D.getwidth(g))
    head = D.insert_before(head, n, back)
  end
  return head, close
end

local function glyphs_as_text(head)
  local n = head
  while n do
    local nxt = D.getnext(n)
    if D.getid(n) == glyph_id then
      local id = D.getfont(n)
      local props = properties[n]
      if emoji_ids[id] then
        local text
        text, props = cluster_text(n)
        if text then
          props.zb_text = true
          head, nxt = emoji_cluster_as_text(head, n, text)
          nxt = D.getnext(nxt)
        end
      elseif id == 0 and stray(D.getchar(n)) then       -- a joiner or tag no emoji glyph took
        head = D.remove(head, n)
        D.flush_node(n)
      elseif not (props and props.zb_text) then
        local shared, c = shared_of[id], D.getchar(n)
        if shared and shared[c] and not japanese_font(id) then
          if not props then props = {}; properties[n] = props end
          props.zb_text = true
          head, nxt = span(head, n, n, utf8.char(c))
          nxt = D.getnext(nxt)
        end
      end
    end
    n = nxt
  end
  return head
end

-- 3. Whole fonts: only the book's own cuts (fonts/zb-*), already cut to its characters.

luatexbase.add_to_callback("luaotfload.patch_font", function(tfmdata)
  local file = tfmdata.filename or ""
  if config.embed_whole and file:find("zb%-[^/]*$") and tfmdata.embedding == "subset" then
    tfmdata.embedding = "full"
  end
end, "zennbook.embed_whole")

luatexbase.add_to_callback("pre_shaping_filter", function(head)
  return D.tonode(set_emoji_fonts(D.todirect(head)))
end, "zennbook.emoji_sequences")
luatexbase.add_to_callback("post_shaping_filter", function(head)
  return D.tonode(glyphs_as_text(D.todirect(head)))
end, "zennbook.glyphs_as_text")
