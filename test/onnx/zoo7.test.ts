import { zooShard } from "./zoo.js";

zooShard(6, 8);
