import { expect, test } from 'bun:test'
import { compileUriTemplate } from '../../../src/aggregate/uri-template.ts'

test.each([
  ['file:///{name}', 'file:///notes.txt', true],
  ['file:///{name}', 'file:///dir/notes.txt', false],
  ['file:///{+path}', 'file:///dir/notes.txt', true],
  ['db://{table}/{id}', 'db://users/42', true],
  ['db://{table}/{id}', 'db://users', false],
  ['db://{table}/{id}', 'db://users/42/extra', false],
  ['users/{id}', 'users/', true],
  ['search{?q,lang}', 'search', true],
  ['search{?q,lang}', 'search?q=mcp&lang=en', true],
  ['search{?q}{&page}', 'search?q=mcp&page=2', true],
  ['search{?q}', 'search/more', false],
  ['repo{/owner,name}', 'repo/acme/proxmcp', true],
  ['repo{/owner,name}', 'repoX', false],
  ['file{.ext}', 'file.tar.gz', true],
  ['file{.ext}', 'file-tar', false],
  ['map{;x,y}', 'map;x=1;y=2', true],
  ['doc{#section}', 'doc#intro', true],
  ['doc{#section}', 'doc', true],
  ['a.b/{x}', 'aXb/1', false],
  ['price/($){amount}', 'price/($)12', true],
  ['static://readme', 'static://readme', true],
  ['static://readme', 'static://readme2', false],
])('%s fits %s: %p', (template, uri, fits) => {
  expect(compileUriTemplate(template)(uri)).toBe(fits)
})

test('a template matches the whole URI, not a part of it', () => {
  const fits = compileUriTemplate('mem://{key}')
  expect(fits('mem://a')).toBe(true)
  expect(fits('x-mem://a')).toBe(false)
})
