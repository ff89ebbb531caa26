import { zooShard } from "./zoo.js";

zooShard(0, 8);
