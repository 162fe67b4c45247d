/** Compose files the compose import tests share. */

/** A web app and its database, as compose files are written: anchors, a healthcheck the app waits for, secrets. */
export const SHOP = `name: shop
x-common: &common
  restart: unless-stopped
  logging:
    driver: journald
services:
  web:
    <<: *common
    image: ghcr.io/example/shop:\${TAG:-1.4}
    command: gunicorn -b "0.0.0.0:8000" shop.wsgi
    ports:
      - "8080:8000"
      - target: 9000
        published: "9000"
        host_ip: 127.0.0.1
        protocol: udp
    env_file:
      - ./web.env
      - path: ./local.env
        required: false
    environment:
      DATABASE_URL: postgres://shop@db/shop
      PRICE: "5$$"
      FROM_SHELL:
    volumes:
      - ./static:/srv/static:ro
      - uploads:/srv/uploads
    depends_on:
      db:
        condition: service_healthy
    networks:
      - front
      - back
    secrets:
      - db_password
    healthcheck:
      test: curl -f http://localhost:8000/health
      interval: 30s
    cap_drop: [ALL]
  db:
    image: docker.io/library/postgres:16
    environment:
      - POSTGRES_USER=\${DB_USER}
      - POSTGRES_PASSWORD_FILE=/run/secrets/db_password
    volumes:
      - pgdata:/var/lib/postgresql/data
      - type: tmpfs
        target: /run/postgresql
        tmpfs:
          size: 64m
    networks:
      back:
        aliases: [database]
    secrets:
      - source: db_password
        target: db_password
        mode: 0440
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "shop"]
      interval: 10s
      timeout: 5s
      retries: 5
      start_period: 1m30s
    stop_grace_period: 1m30s
    restart: on-failure
volumes:
  uploads:
  pgdata:
    labels:
      backup: daily
networks:
  front:
  back:
    internal: true
secrets:
  db_password:
    file: ./db_password.txt
`;

