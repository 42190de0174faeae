// What the real libraries signalk-server 2.32.0 runs make of query strings and request
// bodies: the oracle of tests/tests/it/express_port.rs.
//
//   node express-oracle.cjs NODE_MODULES_DIR < cases.jsonl > results.jsonl
//
// Each input line is a case:
//   {"query": "a[b]=1"}                       -> Express's extended query parser
//     (express/lib/utils.js compileQueryParser('extended'), which calls qs.parse)
//   {"contentType": "application/json", "body": "<base64>", "headers": {...}}
//     -> an HTTP request to an Express app with the server's two body parsers
//     (bodyParser.json({limit: '10mb'}), bodyParser.urlencoded({extended: true}))
// Each output line, in the same order, is one of:
//   {"value": "<JSON.stringify of req.query or req.body>"}
//   {"error": {"status", "head", "message", "props"}} where head is the error's stack
//     without its call frames and props are [name, value] pairs in for...in order
//     (what errorhandler shows), message and stack left out.
'use strict'

const path = require('path')
const http = require('http')
const readline = require('readline')

const modules = process.argv[2]
if (!modules) {
  console.error('usage: node express-oracle.cjs NODE_MODULES_DIR')
  process.exit(2)
}
const need = (name) => require(path.join(modules, name))
const express = need('express')
const bodyParser = need('body-parser')
const queryParser = need('express/lib/utils').compileQueryParser('extended')

function describe (err) {
  const stack = String(err.stack)
  const frames = stack.indexOf('\n    at ')
  const props = []
  for (const key in err) {
    if (key !== 'message' && key !== 'stack') props.push([key, err[key]])
  }
  return {
    status: err.status,
    head: frames === -1 ? stack : stack.slice(0, frames),
    message: err.message,
    props
  }
}

const app = express()
app.use(bodyParser.json({ limit: '10mb' }))
app.use(bodyParser.urlencoded({ extended: true }))
app.use((req, res) => res.json({ value: JSON.stringify(req.body) }))
// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => res.json({ error: describe(err) }))

function send (port, c) {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(c.body, 'base64')
    const headers = Object.assign({ 'content-length': String(body.length) }, c.headers || {})
    if (c.contentType !== null) headers['content-type'] = c.contentType
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (res) => {
      const chunks = []
      res.on('data', (d) => chunks.push(d))
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))))
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function main (port) {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  for await (const line of lines) {
    if (!line) continue
    const c = JSON.parse(line)
    let out
    if (typeof c.query === 'string') {
      try {
        out = { value: JSON.stringify(queryParser(c.query)) }
      } catch (err) {
        out = { error: describe(err) }
      }
    } else {
      out = await send(port, c)
    }
    process.stdout.write(JSON.stringify(out) + '\n')
  }
}

const server = app.listen(0, '127.0.0.1', () => {
  main(server.address().port)
    .then(() => server.close())
    .catch((err) => {
      console.error(err)
      process.exit(1)
    })
})
